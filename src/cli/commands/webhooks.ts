/**
 * `ml-connector webhooks register <connection> --url <public URL>`: points a
 * system's webhooks at this server's receiver. FreshBooks callbacks are
 * registered through its API (and verified by the receiver, which must be
 * reachable at the URL: run `ml-connector start`); HubSpot's are set in the
 * app's settings, so for HubSpot the command prints what to enter there.
 */
import type { Command } from 'commander';
import { registerFreshBooksCallbacks } from '../../app/freshbooks-callbacks.ts';
import { printJson, withInstallation } from '../open-installation.ts';

export function registerWebhookCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('point a system’s webhooks at this server');
  webhooks
    .command('register <connection>')
    .description('FreshBooks: register the callbacks the flow needs; HubSpot: show the target URL to set in the app')
    .requiredOption('--url <url>', 'the URL this server is reached at from the internet, e.g. https://sync.example.com')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { url: string; json?: boolean }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const connection = await installation.connections.get(name);
        if (connection.system === 'hubspot') {
          const target = `${options.url.replace(/\/+$/, '')}/webhooks/hubspot/${connection.id}`;
          if (options.json) return printJson({ uri: target });
          console.log(`In your HubSpot app's Webhooks settings, set the target URL to ${target}`);
          console.log('and subscribe to company and contact creation and property changes; add the app’s client secret to this connection’s config as "clientSecret".');
          return;
        }
        const result = await registerFreshBooksCallbacks(installation, name, options.url);
        if (options.json) return printJson(result);
        console.log(`Callbacks for ${result.uri}: ${result.registered.length} registered, ${result.existing.length} already there.`);
        console.log('FreshBooks sends each new one a verification message: keep `ml-connector start` running at that URL to answer it.');
      });
    });
}
