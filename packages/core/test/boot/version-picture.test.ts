/**
 * The counts the probes show during a run, when reads of the history and the run's own steps
 * interleave: a read never undoes a step it could not see, and a rolled-back run's steps vanish.
 */
import { describe, expect, it } from 'vitest';
import { VersionPicture } from '../../src/boot/version-picture.js';
import type { MigrationState, MigrationStatus, MigratorEvent } from '../../src/index.js';

const lines = (...states: MigrationState[]) =>
  states.map((state, index) => ({ version: BigInt(index + 1), state }) as MigrationStatus);
const done = (version: number, direction: 'up' | 'down' = 'up') =>
  ({ type: 'step-done', step: { version: BigInt(version), direction } }) as MigratorEvent;

function pictureOf(...states: MigrationState[]): VersionPicture {
  const picture = new VersionPicture();
  picture.read(picture.startRead(), lines(...states));
  return picture;
}

describe('VersionPicture', () => {
  it('knows nothing before the first read, then counts what it found', () => {
    const picture = new VersionPicture();
    expect(picture.counts()).toBeUndefined();
    picture.read(picture.startRead(), lines('applied', 'pending', 'modified'));
    expect(picture.counts()).toEqual({ applied: 1, pending: 1, problems: 1, latest: '1', future: [] });
  });

  it('moves with each step of a run, even past a read that cannot see it (one open transaction)', () => {
    const picture = pictureOf('pending', 'pending');
    picture.openRun();
    picture.follow(done(1));
    expect(picture.counts()).toMatchObject({ applied: 1, pending: 1, latest: '1' });
    picture.read(picture.startRead(), lines('pending', 'pending'));
    expect(picture.counts()).toMatchObject({ applied: 1, pending: 1 });
  });

  it('keeps a committed run’s steps over a read that started before the end, and forgets a rolled-back one’s', () => {
    const committed = pictureOf('pending', 'pending');
    committed.openRun();
    committed.follow(done(1));
    const early = committed.startRead();
    committed.closeRun(true);
    committed.read(early, lines('pending', 'pending'));
    expect(committed.counts()).toMatchObject({ applied: 1, pending: 1 });
    committed.read(committed.startRead(), lines('applied', 'applied'));
    expect(committed.counts()).toMatchObject({ applied: 2, pending: 0 });

    const rolledBack = pictureOf('pending', 'pending');
    rolledBack.openRun();
    rolledBack.follow(done(1));
    rolledBack.closeRun(false);
    expect(rolledBack.counts()).toMatchObject({ applied: 0, pending: 2 });
  });

  it('lets a newer read win over an older one that lands later, and follows reverts', () => {
    const picture = pictureOf('applied', 'applied');
    const older = picture.startRead();
    const newer = picture.startRead();
    picture.read(newer, lines('applied', 'pending'));
    picture.read(older, lines('applied', 'applied'));
    expect(picture.counts()).toMatchObject({ applied: 1, pending: 1 });
    picture.follow(done(1, 'down'));
    expect(picture.counts()).toMatchObject({ applied: 0, pending: 2, latest: null });
  });
});
