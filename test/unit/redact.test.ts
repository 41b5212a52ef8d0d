/** Secrets are masked in echoed and logged command text, and the rest of the line is kept. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets } from '../../src/util/redact.js';

describe('maskSecrets', () => {
  it('masks the URL password and secret x- parameters, keeping the other parameters and the host', () => {
    assert.equal(
      maskSecrets('open sftp://u:pw;x-proxymethod=2;x-ProxyPassword=s;ecret;x-proxylocalhost=1@h.example:2222/dir/ -hostkey=*'),
      'open sftp://u:***;x-proxymethod=2;x-ProxyPassword=***;ecret;x-proxylocalhost=1@h.example:2222/dir/ -hostkey=*',
    );
    assert.equal(maskSecrets('open ftp://u;x-passwordplain=top@h/'), 'open ftp://u;x-passwordplain=***@h/');
    assert.equal(maskSecrets('open ftp://anonymous@h/'), 'open ftp://anonymous@h/');
  });

  it('masks switches and raw settings', () => {
    assert.equal(maskSecrets('open sftp://h/ -password="a b" -passphrase=x -rawsettings ProxyPassword=p TunnelPasswordPlain="q r" Timeout=5'),
      'open sftp://h/ -password=*** -passphrase=*** -rawsettings ProxyPassword=*** TunnelPasswordPlain=*** Timeout=5');
    assert.equal(maskSecrets('open sftp://h/ -privatekey=@abcdef'), 'open sftp://h/ -privatekey=@***');
  });
});
