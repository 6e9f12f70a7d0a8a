import { describe, expect, it } from 'vitest';
import { parseShaCrypt, shaCrypt, verifyShaCrypt } from './sha-crypt.ts';

// Vectors from Drepper's specification and from `openssl passwd -5/-6 -salt saltstring hello`.
describe('SHA-crypt', () => {
  it.each([
    ['hello', '$5$saltstring$4mLzDd7PmpYGnmV6HHYAR6tJydOUyhkrRSQDy8q2eK8'],
    ['hello', '$6$saltstring$FAGYDyoYriJZZozrqxKlj3e8sB/i7oiBKr0IsSILeeFjOstTzTN7VBrJXtFNTHuRzUnhy.z43X6Jd3KbHZ.me/'],
    ['Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    ['Hello world!', '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'],
    ['x', '$6$rounds=1000$abc$zaWpAwySRl8PX4W2aEMJwxpN82bCKtDZP0RBdOD6W7BQlilBqAsWnAZuS10iUyJZneS8Ob1gxs1BZkqJi1nTi.'],
  ])('%s -> %s', (pw, hash) => {
    expect(shaCrypt(pw, parseShaCrypt(hash)!)).toBe(hash);
    expect(verifyShaCrypt(pw, hash)).toBe(true);
    expect(verifyShaCrypt(`${pw}!`, hash)).toBe(false);
  });

  it('refuses other crypt(3) schemes', () => {
    for (const h of ['$1$salt$hash', '$2b$10$abcdefghijklmnopqrstuu', 'abJnggxhB/yWI', '$y$j9T$x$y']) {
      expect(parseShaCrypt(h)).toBeUndefined();
      expect(verifyShaCrypt('x', h)).toBe(false);
    }
  });
});
