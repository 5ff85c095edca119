"""The two buckets the README asks for, made on a local S3 server (moto's) for tests."""

import json
import uuid


def make_media_buckets(client, region: str) -> tuple[str, str]:
    """A public bucket (anyone may read its files, by bucket policy, as the README says to
    set one up) and a private one (no policy: nobody but the site); returns their names."""
    suffix = uuid.uuid4().hex[:8]
    public, private = f"lep-media-{suffix}", f"lep-private-{suffix}"
    for bucket in (public, private):
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
    anyone_may_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{public}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=public, Policy=json.dumps(anyone_may_read))
    return public, private
