/**
 * One installation of ml-connector: its store, vault and connections, opened
 * from the parsed configuration. Every command and the service start here.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import { createConnectionsRepository, type ConnectionsRepository } from '../store/connections.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { openVault, type Vault } from '../vault/vault.ts';

export interface Installation {
  config: Config;
  store: Store;
  vault: Vault;
  connections: ConnectionsRepository;
  clock: Clock;
  close(): Promise<void>;
}

export async function openInstallation(config: Config, options: { clock?: Clock } = {}): Promise<Installation> {
  const clock = options.clock ?? systemClock;
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  try {
    const vault = await openVault({
      dataDir: config.dataDir,
      ...(config.masterKey ? { masterKey: config.masterKey } : {}),
      ...(config.previousMasterKeys?.length ? { previousKeys: config.previousMasterKeys } : {}),
    });
    return { config, store, vault, connections: createConnectionsRepository(store, vault, clock), clock, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
