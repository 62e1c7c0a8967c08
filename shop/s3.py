"""Files on an S3-compatible store (settings: the media section of shop/settings/base.py).

Kept apart from shop/storage.py so that boto3 (a third of a second to import) loads only
where a bucket is configured.
"""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Files only the application reads (product imports): no public URL, signed or not.

    Objects are written with the ``private`` ACL as well as kept under a prefix the bucket
    policy does not publish, so a mistaken policy alone does not expose them.
    """

    # Class attributes win over the AWS_* settings, which describe the public media.
    default_acl = "private"
    custom_domain = None

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no public URL; serve them through a checked view.")
