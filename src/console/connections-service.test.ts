/**
 * The connection forms come from each system's own config schema: every
 * field the schema takes by hand is in the form with its type, and the secret
 * ones are exactly the system's secret fields. Updating credentials on a real
 * store keeps what is not given and never shows a secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';
import { isConnectorError } from '../core/errors.ts';
import { SYSTEMS } from '../systems/registry.ts';
import { createConnection, getConnection, labelOf, listConnections, systemsCatalog, updateCredentials } from './connections-service.ts';

describe('the systems catalog', () => {
  it('derives each form from the config schema: types, required fields, secrets, enum options', () => {
    const catalog = systemsCatalog();
    assert.deepEqual(catalog.map((s) => s.name), [...SYSTEMS.keys()]);
    for (const system of catalog) {
      const entry = SYSTEMS.get(system.name)!;
      const properties = (system.jsonSchema as { properties: Record<string, { writeOnly?: boolean }> }).properties;
      for (const field of system.fields) {
        assert.equal(field.secret, entry.secretFields.includes(field.name), `${system.name}.${field.name} secret flag`);
        assert.ok(properties[field.name], `${system.name}.${field.name} is in the schema`);
      }
      for (const secret of entry.secretFields) if (properties[secret]) assert.equal(properties[secret]!.writeOnly, true, `${system.name}.${secret} is write-only`);
    }
    const intacct = catalog.find((s) => s.name === 'intacct')!;
    assert.deepEqual(
      intacct.fields.filter((f) => f.required).map((f) => f.name),
      ['senderId', 'senderPassword', 'companyId', 'userId', 'userPassword'],
    );
    assert.equal(intacct.fields.find((f) => f.name === 'endpointUrl')?.default, 'https://api.intacct.com/ia/xml/xmlgw.phtml');
    assert.deepEqual(catalog.find((s) => s.name === 'acumatica')!.fields.find((f) => f.name === 'auth')?.options, ['oauth', 'cookie']);
    assert.equal(labelOf('businessUuid'), 'Business UUID');
    assert.equal(labelOf('endpointUrl'), 'Endpoint URL');
  });
});

describe('connections in the service layer', () => {
  let dataDir: string;
  let installation: Installation;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-console-conn-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
  });
  after(async () => {
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rotating: a secret given replaces, one left out or empty stays, a setting emptied goes; a bad result stores nothing', async () => {
    const config = { endpointUrl: 'http://127.0.0.1:9/gw', senderId: 's', senderPassword: 'sender-secret-1', companyId: 'c', userId: 'u', userPassword: 'user-secret-1', entityId: 'E1' };
    const created = await createConnection(installation, 'w', { name: 'books', system: 'intacct', config });
    assert.deepEqual(created.secretsSet, ['senderPassword', 'userPassword']);
    assert.ok(!JSON.stringify(created).includes('secret-1'));

    const rotated = await updateCredentials(installation, 'w', 'books', { userPassword: 'user-secret-2', senderPassword: '', entityId: '' });
    assert.equal(rotated.status, 'untested');
    assert.equal(rotated.settings.entityId, undefined, 'an emptied setting is removed');
    const stored = await installation.connections.getConfig(created.id);
    assert.equal(stored.userPassword, 'user-secret-2');
    assert.equal(stored.senderPassword, 'sender-secret-1', 'an empty secret keeps the stored one');

    await assert.rejects(updateCredentials(installation, 'w', 'books', { companyId: '' }), (error) => isConnectorError(error) && /companyId/.test(error.message));
    assert.equal((await installation.connections.getConfig(created.id)).companyId, 'c', 'nothing stored on failure');

    // Only its own workspace reaches it.
    await assert.rejects(getConnection(installation, 'default', created.id), (error) => isConnectorError(error) && error.kind === 'not_found');
    await assert.rejects(updateCredentials(installation, 'default', created.id, { userPassword: 'x' }), (error) => isConnectorError(error) && error.kind === 'not_found');
    assert.deepEqual(await listConnections(installation, 'default'), []);
  });
});
