import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth.module';
import { OidcClient } from './oidc-client';
import { OidcExchangeEntity } from './oidc-exchange.entity';
import { OidcExchangeRepository } from './oidc-exchange.repository';
import { OidcController } from './oidc.controller';
import { OidcService } from './oidc.service';

/** Sign-in with an OpenID Connect provider (AUTH_METHODS=oidc); its routes answer 404-style refusals when off. */
@Module({
  imports: [AuthModule, TypeOrmModule.forFeature([OidcExchangeEntity])],
  controllers: [OidcController],
  providers: [OidcClient, OidcExchangeRepository, OidcService],
})
export class OidcModule {}
