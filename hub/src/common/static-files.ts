import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/hub-config';

/** The agent bundle, downloaded by the install command on a child's PC. */
export const AGENT_BUNDLE = path.resolve(__dirname, '../../../agent/dist/kidtime-agent.cjs');

/**
 * Serves the built UI at `/` (any non-API path falls back to index.html so client-side routes work) and the
 * agent bundle at `/downloads/kidtime-agent.cjs`.
 */
export function serveStaticFiles(app: NestExpressApplication, config: HubConfig): void {
  const logger = new Logger('StaticFiles');
  app.useStaticAssets(config.uiDir, { index: 'index.html', maxAge: '1h', immutable: false });
  const indexHtml = path.join(config.uiDir, 'index.html');
  if (!fs.existsSync(indexHtml))
    logger.warn(`No built UI at ${config.uiDir}; run "npm run build" to get the web app`);

  app.use('/downloads/kidtime-agent.cjs', (_request: Request, response: Response) => {
    if (!fs.existsSync(AGENT_BUNDLE)) {
      response.status(404).json({
        statusCode: 404,
        message: 'The agent is not built; run "npm run build" on the hub',
        error: 'Not Found',
      });
      return;
    }
    response.type('application/javascript').sendFile(AGENT_BUNDLE);
  });

  app.use((request: Request, response: Response, next: NextFunction) => {
    const isPage = request.method === 'GET' && !/^\/(api|socket\.io|downloads)(\/|$)/.test(request.path);
    if (!isPage || !request.accepts('html') || !fs.existsSync(indexHtml)) return next();
    response.sendFile(indexHtml);
  });
}
