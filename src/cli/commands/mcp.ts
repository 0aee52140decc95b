/**
 * `ml-connector mcp --account <name>`: one account's tools as an MCP server
 * over stdio, for MCP hosts that start their servers as processes. Stdout
 * carries only the protocol; the server stops when stdin closes.
 */
import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../../server/mcp.ts';
import { DEFAULT_WORKSPACE } from '../../store/connections.ts';
import { createToolService } from '../../tools/tool-service.ts';
import { withInstallation } from '../open-installation.ts';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve an account’s AI tools over MCP on stdio')
    .requiredOption('--account <name>', 'the connection (name or id) whose tools to serve')
    .option('--workspace <workspace>', 'the connection’s workspace', DEFAULT_WORKSPACE)
    .action(async (options: { account: string; workspace: string }, command: Command) => {
      await withInstallation(command, async (installation) => {
        const service = createToolService(installation);
        const account = await service.account(options.account, options.workspace);
        const server = createMcpServer(service, account, { workspace: account.workspace, channel: 'mcp-stdio' });
        const transport = new StdioServerTransport();
        const closed = new Promise<void>((resolve) => {
          transport.onclose = () => resolve();
          process.stdin.once('end', () => resolve());
        });
        await server.connect(transport);
        await closed;
        await server.close();
      });
    });
}
