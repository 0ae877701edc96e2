# Legacy KCL module of the local provider.
[package]
name = "local_prov"
edition = "v0.11.3"
version = "0.0.9"
