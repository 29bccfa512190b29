import { expect, it } from 'vitest';
const store = new Map<unknown, unknown>();
(Reflect as unknown as { metadata: unknown }).metadata = (k: string, v: unknown) => (target: unknown) => { store.set(target, [k, v]); };
class Dep {}
function Injectable(): ClassDecorator { return () => {}; }
function Inject(_t: unknown): ParameterDecorator { return () => {}; }
@Injectable()
class Svc { constructor(@Inject(Dep) readonly dep: Dep) {} }
it('emits legacy decorator metadata', () => {
  expect(store.get(Svc)).toEqual(['design:paramtypes', [Dep]]);
});
