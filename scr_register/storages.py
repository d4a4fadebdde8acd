"""The documents storage's settings (settings.STORAGES["documents"], SPEC sections 8 and 10), built in one place
so settings.py and the tests of the S3 path make the same dictionary."""


def local_documents_storage(location):
    """Files in a local folder, readable by the service's user only, at no URL (``base_url`` None): the review's
    document view streams them."""
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": location,
            "base_url": None,
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }


def s3_documents_storage(bucket, *, endpoint_url=None, region_name=None):
    """Private objects in an S3-compatible bucket through django-storages (credentials from the AWS_* variables
    boto3 reads): uploaded with the ``private`` ACL, never overwritten, under ``documents/``."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": "documents",
        },
    }
