/**
 * A Terminus health module as an app would write one, for the tests of MigrationsHealthIndicator:
 * `GET /health/ready` (isReady + pingCheck) and `GET /health/schema` (isUpToDate).
 */
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { MigrationsHealthIndicator } from '../../src/terminus/index.js';

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(MigrationsHealthIndicator) private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.migrations.isReady(), () => this.migrations.pingCheck('database', { timeout: 1_500 })]);
  }

  @Get('schema')
  @HealthCheck()
  schema() {
    return this.health.check([() => this.migrations.isUpToDate()]);
  }
}

/** Needs MigrationsModule registered globally (or imported beside it). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MigrationsHealthIndicator],
})
export class HealthModule {}
