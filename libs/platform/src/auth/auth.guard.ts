import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { PUBLIC_ENDPOINT, REQUIRED_ROLES, type AuthenticatedRequest } from './auth.decorators';
import type { Role } from './principal';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

/** The longest `Authorization` header read: a JWT of a few claims is well under 1 KiB. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Every HTTP endpoint needs a valid bearer token unless it is {@link Public}: `401` (with
 * `WWW-Authenticate: Bearer`) without one or with a bad one, `403` when the caller lacks the
 * endpoint's {@link Roles}. Kafka handlers are not HTTP and pass: their trust is the broker's (SASL).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ENDPOINT, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const challenge = (detail: string) => {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="saga-platform"');
      return new UnauthorizedException(detail);
    };
    const header = request.headers.authorization;
    const match =
      header && header.length <= MAX_TOKEN_LENGTH ? /^Bearer ([\w.~+/-]+=*)$/i.exec(header) : null;
    if (!match) throw challenge('a bearer token is required (Authorization: Bearer <jwt>)');
    try {
      request.principal = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw challenge(error.message);
      throw error;
    }
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    const { roles } = request.principal;
    if (roles.length === 0) throw new ForbiddenException('the token grants no role of this platform');
    if (required && !required.some((role) => roles.includes(role))) {
      throw new ForbiddenException(`this endpoint needs the role ${required.join(' or ')}`);
    }
    return true;
  }
}
