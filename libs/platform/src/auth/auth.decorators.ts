import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, Role } from './principal';

/** Metadata key: the endpoint needs no token (health, metrics, the dashboard's static page). */
export const PUBLIC_ENDPOINT = 'saga:public-endpoint';
/** Metadata key: the roles of which the caller needs one (default: any known role). */
export const REQUIRED_ROLES = 'saga:required-roles';

/** Marks a controller or handler as open to anonymous callers. Everything else needs a bearer token. */
export const Public = () => SetMetadata(PUBLIC_ENDPOINT, true);

/** Restricts a controller or handler to callers holding one of `roles`. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The request's verified caller, set by the auth guard. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** Injects the verified caller into a handler parameter. Only on endpoints that are not {@link Public}. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal on an endpoint the auth guard does not cover');
    return principal;
  },
);
