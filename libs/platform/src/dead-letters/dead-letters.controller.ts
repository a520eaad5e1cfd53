import { Body, Controller, Get, HttpCode, HttpStatus, Inject, NotFoundException, Post } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { z } from 'zod';
import { deadLetterTopic } from '@saga/contracts';
import { readDeadLetters, replayDeadLetters, type DeadLetter } from '@saga/messaging';
import { Roles } from '../auth/auth.decorators';
import type { ServiceConfig } from '../config';
import { parseRequest } from '../http/parse-request';
import { kafkaClientConfig } from '../kafka/kafka-options';
import { SERVICE_CONFIG } from '../service-config.token';

/** A dead letter as the API shows it: everything but the original bytes. */
export const DeadLetterViewSchema = z
  .object({
    id: z.string().describe('Its place in the dead-letter topic, `<partition>:<offset>`.'),
    reason: z.string(),
    error: z.string(),
    originalTopic: z.string(),
    originalPartition: z.string(),
    originalOffset: z.string(),
    consumerGroup: z.string(),
    attempts: z.string(),
    failedAt: z.string(),
    eventId: z.string().optional().describe("The original record's `ce_id`, when it had one."),
    eventType: z.string().optional().describe("The original record's `ce_type`, when it had one."),
  })
  .meta({ id: 'DeadLetter' });

/** A dead letter as the API shows it: everything but the original bytes. */
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;

/** `POST /admin/dead-letters/replay` body: the ids to send back (`<partition>:<offset>`), or all of them. */
export const ReplayBody = z.union([
  z
    .object({
      ids: z
        .array(z.string().regex(/^\d{1,9}:\d{1,19}$/, 'must be <partition>:<offset>'))
        .min(1)
        .max(1000),
    })
    .strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

/**
 * The service's own dead-letter topic over HTTP, for admins: `GET /admin/dead-letters` lists it and
 * `POST /admin/dead-letters/replay` sends letters back to their original topic, like `npm run dlq`
 * (docs/operations.md). Replaying everything needs `{ "all": true }`, never an empty body. Each call
 * connects its own Kafka clients and closes them before it answers.
 */
@Controller('admin/dead-letters')
@Roles('admin')
export class DeadLettersController {
  private readonly kafka: Kafka;
  private readonly topic: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.kafka = new Kafka({ ...kafkaClientConfig(config), clientId: `${config.kafkaClientId}-dlq` });
    this.topic = `${config.kafkaTopicPrefix}${deadLetterTopic(config.service).name}`;
  }

  @Get()
  async list(): Promise<{ topic: string; deadLetters: DeadLetterView[] }> {
    return { topic: this.topic, deadLetters: (await readDeadLetters(this.kafka, this.topic)).map(view) };
  }

  @Post('replay')
  @HttpCode(HttpStatus.ACCEPTED)
  async replay(@Body() body: unknown): Promise<{ topic: string; replayed: DeadLetterView[] }> {
    const request = parseRequest(ReplayBody, body ?? {});
    const ids = 'ids' in request ? request.ids : undefined;
    try {
      return {
        topic: this.topic,
        replayed: (await replayDeadLetters(this.kafka, this.topic, ids)).map(view),
      };
    } catch (error) {
      // replayDeadLetters checks every id before it sends anything: an unknown one changes nothing.
      if (error instanceof Error && error.message.startsWith('no dead letter ')) {
        throw new NotFoundException(error.message);
      }
      throw error;
    }
  }
}

function view({ message: _message, ...letter }: DeadLetter): DeadLetterView {
  return letter;
}
