/**
 * Asks until `done` holds, for at most two seconds, and returns the last answer: for effects
 * that arrive by notification from another connection (a cache dropping what changed).
 */
export async function eventually<T>(
  ask: () => Promise<T>,
  done: (answer: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 2_000;
  let answer = await ask();
  while (!done(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    answer = await ask();
  }
  return answer;
}
