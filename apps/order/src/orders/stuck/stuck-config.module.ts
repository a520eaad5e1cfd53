import { Global, Module, type DynamicModule } from '@nestjs/common';
import { STUCK_CONFIG, loadStuckConfig } from './stuck-config';

/**
 * The stuck-saga settings, loaded once and provided once to the whole order service: the detector, the
 * order query and the dashboard's counters read the same {@link STUCK_CONFIG}.
 */
@Global()
@Module({})
export class StuckConfigModule {
  static register(env: Record<string, string | undefined>): DynamicModule {
    return {
      module: StuckConfigModule,
      providers: [{ provide: STUCK_CONFIG, useValue: loadStuckConfig(env) }],
      exports: [STUCK_CONFIG],
    };
  }
}
