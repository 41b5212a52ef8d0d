/**
 * `rwxr-sr-t` permission letters of `ls -l`-style listings (SCP's `ls`, FTP's `LIST`) to
 * permission bits, setuid/setgid/sticky included (`s`/`t` = with execute, `S`/`T` = without).
 * `-` and `?` are unset.
 */
export function rightsBits(p: string): number {
  let m = 0;
  const bit = (i: number, v: number) => {
    if (p[i] !== '-' && p[i] !== '?') m |= v;
  };
  bit(0, 0o400);
  bit(1, 0o200);
  bit(3, 0o040);
  bit(4, 0o020);
  bit(6, 0o004);
  bit(7, 0o002);
  const exec = (i: number, x: number, special: number, lower: string, upper: string) => {
    const c = p[i];
    if (c === 'x') m |= x;
    else if (c === lower) m |= x | special;
    else if (c === upper) m |= special;
  };
  exec(2, 0o100, 0o4000, 's', 'S');
  exec(5, 0o010, 0o2000, 's', 'S');
  exec(8, 0o001, 0o1000, 't', 'T');
  return m;
}
