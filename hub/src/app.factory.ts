import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import compression from 'compression';
import { AppModule } from './app.module';
import { requestId } from './common/request-id.middleware';
import { serveStaticFiles } from './common/static-files';
import { logLevelsFrom, type HubConfig } from './config/hub-config';
import type { HubSecrets } from './config/tokens';
import { HUB_VERSION } from './version';

export function createLogger(config: HubConfig): LoggerService {
  return new ConsoleLogger({
    logLevels: logLevelsFrom(config.logLevel),
    colors: Boolean(process.stdout.isTTY),
  });
}

/** Builds the whole hub (HTTP API, socket.io gateways, UI and downloads) without listening yet. */
export async function createHubApp(config: HubConfig, secrets: HubSecrets): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, secrets), {
    logger: createLogger(config),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.use(requestId);
  // The web app's script and the API's JSON shrink to a quarter or less: it matters on a phone's Wi-Fi.
  app.use(compression());
  app.useBodyParser('json', { limit: '256kb' });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Kidtime hub API')
      .setDescription('Manage screen time on Linux PCs running Timekpr-nExT.')
      .setVersion(HUB_VERSION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  serveStaticFiles(app, config);
  return app;
}
