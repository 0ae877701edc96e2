import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../lib/config/load.ts';
import { ProvisioningError } from '../../lib/errors.ts';
import { assertName } from '../../lib/names.ts';
import { findProvider } from '../../lib/tree/providers.ts';
import { testdir } from '../helpers/testdir.ts';

const finding = suite('finding providers');
finding('a provider with only kcl/ asked for as nickel hints --lang kcl', async () => {
  const root = await testdir({ 'extensions/providers/legacyvm/kcl/kcl.mod': '[package]\nname = "legacyvm_prov"\nversion = "1.0.0"\n' });
  const config = await loadConfig({ root });
  try {
    await findProvider(config, 'legacyvm', { lang: 'nickel' });
    assert.unreachable();
  } catch (error) {
    assert.is((error as ProvisioningError).code, 'PROVIDER_NOT_FOUND');
    assert.is((error as ProvisioningError).hint, 'pass --lang kcl');
  }
  assert.is((await findProvider(config, 'legacyvm', { lang: 'kcl' })).language, 'kcl');
});
finding('a missing name says which flag to pass', () => {
  for (const missing of [undefined, '']) {
    try {
      assertName('infra', missing);
      assert.unreachable();
    } catch (error) {
      assert.is((error as ProvisioningError).code, 'INVALID_NAME');
      assert.is((error as ProvisioningError).hint, 'pass --infra <name>');
    }
  }
});
finding.run();
