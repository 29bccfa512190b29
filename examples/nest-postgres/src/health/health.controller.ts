import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { MigrationsHealthIndicator } from '@strata/nest/terminus';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(MigrationsHealthIndicator) private readonly migrations: MigrationsHealthIndicator,
  ) {}

  /** Liveness: the process answers. Never touches the database. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: migrations done (and not shutting down) and the database answering. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.migrations.isReady('migrations'), () => this.migrations.pingCheck('database')]);
  }

  /** The schema compared with this build: lists pending, modified, missing or dirty migrations. */
  @Get('schema')
  @HealthCheck()
  schema() {
    return this.health.check([() => this.migrations.isUpToDate('schema')]);
  }
}
