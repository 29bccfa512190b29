/**
 * `pending` bounded by `timeoutMs`: past it the promise rejects with what `expired()` returns (the
 * caller abandons the attempt there), and a value that still arrives later goes to `late`, to be
 * disposed of rather than leaked.
 */
export function withinDeadline<T>(
  pending: Promise<T>,
  timeoutMs: number,
  on: { expired: () => unknown; late: (value: T) => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let abandoned = false;
    const timer = setTimeout(() => {
      abandoned = true;
      reject(on.expired());
    }, timeoutMs);
    pending.then(
      (value) => {
        if (abandoned) {
          on.late(value);
          return;
        }
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (abandoned) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
