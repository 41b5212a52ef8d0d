/**
 * basic-ftp, loaded with require: importing its CommonJS from ESM makes Node run its export
 * lexer over every file of the package, about 20 ms more at each start of an FTP session.
 */
import { createRequire } from 'node:module';
import type * as BasicFtp from 'basic-ftp';

const lib = createRequire(import.meta.url)('basic-ftp') as typeof BasicFtp;

export const Client = lib.Client;
export type Client = BasicFtp.Client;
export const FTPError = lib.FTPError;
export type FTPError = BasicFtp.FTPError;
export type { FTPResponse } from 'basic-ftp';
