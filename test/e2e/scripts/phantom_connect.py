"""Shared prologue of the sample scripts: connect to Phantom with boto 2.

Reads EC2_ACCESS_KEY, EC2_SECRET_KEY and PHANTOM_URL, as the seed's guide tells users to
export them. PHANTOM_BOTO_SIGV2=1 switches the connection to query-string signature
version 2 (what boto sent before 2.6); the default is boto's SigV4.
"""
import os
import sys

try:
    from urllib.parse import urlparse
except ImportError:  # Python 2
    from urlparse import urlparse

from boto.ec2.autoscale import AutoScaleConnection
from boto.ec2.regioninfo import RegionInfo
from boto.exception import BotoServerError


class SigV2AutoScaleConnection(AutoScaleConnection):
    """An AutoScaleConnection that signs with signature version 2."""

    def _required_auth_capability(self):
        return ['sign-v2']


def connect():
    try:
        key = os.environ['EC2_ACCESS_KEY']
        secret = os.environ['EC2_SECRET_KEY']
        url = urlparse(os.environ['PHANTOM_URL'])
    except KeyError as e:
        sys.stderr.write('set %s (and EC2_ACCESS_KEY, EC2_SECRET_KEY, PHANTOM_URL)\n' % e.args[0])
        sys.exit(2)
    region = RegionInfo(name="nimbus", endpoint=url.hostname)
    cls = SigV2AutoScaleConnection if os.environ.get('PHANTOM_BOTO_SIGV2') == '1' else AutoScaleConnection
    con = cls(key, secret, is_secure=(url.scheme == 'https'), port=url.port,
              region=region, validate_certs=False)
    con.host = url.hostname
    return con


def run(main):
    """Runs main(con, args); a server error is printed to stderr and exits 1."""
    con = connect()
    try:
        main(con, sys.argv[1:])
    except BotoServerError as e:
        sys.stderr.write('BotoServerError: %s %s: %s\n' % (e.status, e.error_code, e.message))
        sys.exit(1)
