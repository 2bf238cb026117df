import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import {
  InstallScriptError,
  parseHubUrl,
  parseInstallCode,
  renderInstallScript,
} from '../agents/install-script';
import { shellQuote } from './shell-quote';
import type { HubConfig } from '../config/hub-config';
import { hubUrlOf } from '../devices/hub-url';

/** The agent bundle, downloaded by the install script on a child's PC. */
export const AGENT_BUNDLE = path.resolve(__dirname, '../../../agent/dist/kidtime-agent.cjs');
/** The installer template and the systemd unit, copied next to the bundle by agent/build.mjs. */
export const INSTALL_SCRIPT_TEMPLATE = path.resolve(__dirname, '../../../agent/dist/install.sh');
export const AGENT_UNIT = path.resolve(__dirname, '../../../agent/dist/kidtime-agent.service');
/** The forced-command guard for PCs reached over SSH (agent/ssh/kidtime-ssh-guard). */
export const SSH_GUARD = path.resolve(__dirname, '../../../agent/dist/kidtime-ssh-guard');

/**
 * Serves the built UI at `/` (any non-API path falls back to index.html so client-side routes work), the
 * agent installer at `/install.sh?code=CODE`, the agent bundle at `/downloads/kidtime-agent.cjs` and the SSH
 * guard for agentless PCs at `/downloads/kidtime-ssh-guard`.
 */
export function serveStaticFiles(app: NestExpressApplication, config: HubConfig): void {
  const logger = new Logger('StaticFiles');
  // Vite names built files by their content hash: they can be cached for good. Everything else (index.html,
  // the manifest, icons) is revalidated, so a parent's phone picks up a new version at the next visit.
  app.useStaticAssets(config.uiDir, {
    index: 'index.html',
    setHeaders: (response, file) => {
      response.setHeader(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const indexHtml = path.join(config.uiDir, 'index.html');
  if (!fs.existsSync(indexHtml))
    logger.warn(`No built UI at ${config.uiDir}; run "npm run build" to get the web app`);

  const download = (file: string, type: string) => (_request: Request, response: Response) => {
    if (!fs.existsSync(file)) {
      response.status(404).json({
        statusCode: 404,
        message: 'The agent is not built; run "npm run build" on the hub',
        error: 'Not Found',
      });
      return;
    }
    response.type(type).sendFile(file);
  };
  app.use('/downloads/kidtime-agent.cjs', download(AGENT_BUNDLE, 'application/javascript'));
  app.use('/downloads/kidtime-ssh-guard', download(SSH_GUARD, 'text/x-python'));

  app.use('/install.sh', (request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.path !== '/') return next();
    sendInstallScript(request, response, config, logger);
  });

  app.use((request: Request, response: Response, next: NextFunction) => {
    // A client-side route (`/child/…`) gets the app; a missing file (`/icon-512.png`) gets a 404, not a page.
    const isPage =
      request.method === 'GET' &&
      !/^\/(api|socket\.io|downloads|install\.sh)(\/|$)/.test(request.path) &&
      !path.posix.extname(request.path);
    if (!isPage || !request.accepts('html') || !fs.existsSync(indexHtml)) return next();
    response.sendFile(indexHtml);
  });
}

/**
 * `curl -fsSL 'HUB/install.sh?code=CODE' | sudo sh`: the installer with this hub and the code filled in. Only the
 * code's shape is checked here (400 otherwise); whether it is valid is for the enrollment itself to say. Error
 * bodies are shell too, so a pipe without `curl -f` still prints the reason.
 */
function sendInstallScript(request: Request, response: Response, config: HubConfig, logger: Logger): void {
  const { status, script } = installScriptFor(request, config, logger);
  response
    .status(status)
    .set('cache-control', 'no-store')
    .type(status === 200 ? 'text/x-shellscript' : 'text/plain')
    .send(script);
}

function installScriptFor(
  request: Request,
  config: HubConfig,
  logger: Logger,
): { status: number; script: string } {
  const refusal = (status: number, message: string) => ({
    status,
    script: `echo ${shellQuote(`kidtime: ${message}`)} >&2\nexit 1\n`,
  });
  let code: string;
  try {
    code = parseInstallCode(request.query.code);
  } catch (error) {
    if (error instanceof InstallScriptError) return refusal(400, error.message);
    throw error;
  }
  if (!fs.existsSync(INSTALL_SCRIPT_TEMPLATE) || !fs.existsSync(AGENT_UNIT))
    return refusal(404, 'The agent is not built on the hub; run "npm run build" there');
  try {
    const hubUrl = parseHubUrl(config.publicUrl ?? hubUrlOf(request));
    const sources = {
      template: fs.readFileSync(INSTALL_SCRIPT_TEMPLATE, 'utf8'),
      unit: fs.readFileSync(AGENT_UNIT, 'utf8'),
    };
    const script = renderInstallScript(sources, hubUrl, code);
    logger.debug(`install.sh for ${hubUrl} sent to ${request.socket.remoteAddress ?? 'an unknown address'}`);
    return { status: 200, script };
  } catch (error) {
    if (!(error instanceof InstallScriptError)) throw error;
    logger.error(`Cannot serve install.sh: ${error.message}`);
    return refusal(500, `The hub cannot make an install script: ${error.message}`);
  }
}
