import { camelCase, pascalCase } from './names';
import type { ConsumedEvent, ServiceSpec } from './service-spec';

/** The use case a consumed event is handed to: `HandleOrderConfirmedService`. */
export const useCaseClass = (event: ConsumedEvent) => `Handle${event.definition.name}Service`;

/** One generated handler: the events of one source service, as the platform's own handlers are split. */
export interface EventHandler {
  /** `OrderEventsHandler`. */
  readonly className: string;
  /** `order-events.handler`: the file in `orders/saga/`, without `.ts`. */
  readonly file: string;
  readonly events: readonly ConsumedEvent[];
}

/** The new service's handlers: one per service whose events it consumes, named after that source. */
export function eventHandlers(spec: ServiceSpec): EventHandler[] {
  const bySource = new Map<string, ConsumedEvent[]>();
  for (const event of spec.consumes) {
    const source = String(event.definition.topic.producer);
    bySource.set(source, [...(bySource.get(source) ?? []), event]);
  }
  return [...bySource].map(([source, events]) => ({
    className: `${pascalCase(source)}EventsHandler`,
    file: `${source}-events.handler`,
    events,
  }));
}

/** The source of one handler: an `@OnEvent` method per event, each one call into its use case. */
export function eventHandlerFile(spec: ServiceSpec, handler: EventHandler): string {
  const { events } = handler;
  const methods = events.map(
    (event) => `
  @OnEvent(${event.constName})
  on${event.definition.name}(@Payload() event: EventOf<typeof ${event.constName}>, @Ctx() context: SagaEventContext) {
    return this.${camelCase(event.definition.name)}.handle(context.manager, event);
  }`,
  );
  const params = events.map(
    (event) => `private readonly ${camelCase(event.definition.name)}: ${useCaseClass(event)},`,
  );
  const source = String(events[0].definition.topic.producer);
  return `import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ${events.map((e) => e.constName).join(', ')}, type EventOf } from '@saga/contracts';
import { OnEvent, type SagaEventContext } from '@saga/messaging';
${events.map((event) => `import { ${useCaseClass(event)} } from '../handle-${event.kebab}/handle-${event.kebab}.service';`).join('\n')}

/**
 * The ${source} service's events the ${spec.name} service reacts to. Each arrives validated, once (the
 * inbox drops redeliveries), inside one transaction; the handler hands it to its use case in one call.
 */
@Controller()
export class ${handler.className} {
  constructor(
    ${params.join('\n    ')}
  ) {}
${methods.join('\n')}
}
`;
}
