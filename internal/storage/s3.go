package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// DefaultLinkTTL is how long a download link from Link works when
// S3Config.LinkTTL is zero.
const DefaultLinkTTL = 5 * time.Minute

// opTimeout bounds the S3 calls that take no context (Open's stat,
// Delete) and the bucket check in New.
const opTimeout = 30 * time.Second

// S3Config is a bucket of an S3-compatible object store.
type S3Config struct {
	// Endpoint is the store's base URL, http:// or https://, host and port.
	Endpoint string
	// PublicEndpoint is the base URL browsers reach the store at, when it
	// differs from Endpoint; download links are signed for it.
	PublicEndpoint string
	// Region is the bucket's region (default us-east-1).
	Region string
	// Bucket must exist.
	Bucket string
	// Prefix is put before every key, e.g. "smid/"; a trailing slash is added.
	Prefix string
	// PathStyle forces path-style URLs (host/bucket/key), which most
	// self-hosted servers need; otherwise the client picks.
	PathStyle bool
	// AccessKeyID and SecretAccessKey, when empty, come from the
	// environment's AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	AccessKeyID, SecretAccessKey string
	// LinkTTL is how long a download link works (default 5 minutes).
	LinkTTL time.Duration
}

// s3 keeps files as objects named Prefix+key.
type s3 struct {
	client *minio.Client
	// signer signs download links for PublicEndpoint; it is client when
	// there is none.
	signer         *minio.Client
	bucket, prefix string
	ttl            time.Duration
}

func newS3(cfg S3Config) (*s3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("storage: the S3 bucket is required")
	}
	if cfg.LinkTTL < 0 || cfg.LinkTTL > 7*24*time.Hour {
		return nil, fmt.Errorf("storage: S3 link TTL %s is outside 0..168h", cfg.LinkTTL)
	}
	creds := credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, "")
	if cfg.AccessKeyID == "" && cfg.SecretAccessKey == "" {
		creds = credentials.NewEnvAWS()
	}
	if v, err := creds.GetWithContext(nil); err != nil || v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return nil, errors.New("storage: no S3 credentials: set the access key id and secret access key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	region := cmp.Or(cfg.Region, "us-east-1")
	client, err := s3Client(cfg.Endpoint, region, cfg.PathStyle, creds)
	if err != nil {
		return nil, err
	}
	b := &s3{client: client, signer: client, bucket: cfg.Bucket, ttl: cmp.Or(cfg.LinkTTL, DefaultLinkTTL)}
	if p := strings.Trim(cfg.Prefix, "/"); p != "" {
		if err := checkKey(p); err != nil {
			return nil, fmt.Errorf("storage: S3 prefix: %w", err)
		}
		b.prefix = p + "/"
	}
	if cfg.PublicEndpoint != "" {
		if b.signer, err = s3Client(cfg.PublicEndpoint, region, cfg.PathStyle, creds); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	ok, err := client.BucketExists(ctx, b.bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 bucket %s: %w", b.bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("storage: S3 bucket %s does not exist", b.bucket)
	}
	return b, nil
}

// s3Client builds a client for the base URL endpoint. The region is given,
// so signing a link never asks the server for the bucket's location.
func s3Client(endpoint, region string, pathStyle bool, creds *credentials.Credentials) (*minio.Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("storage: S3 endpoint %q is not http(s)://host[:port]", endpoint)
	}
	lookup := minio.BucketLookupAuto
	if pathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{Creds: creds, Secure: u.Scheme == "https", Region: region, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 client: %w", err)
	}
	return c, nil
}

func (b *s3) put(ctx context.Context, _ string, f *os.File, key string, s Saved) error {
	if _, err := f.Seek(0, 0); err != nil {
		return err
	}
	_, err := b.client.PutObject(ctx, b.bucket, b.prefix+key, f, s.Size, minio.PutObjectOptions{
		ContentType: s.ContentType, SendContentMd5: true})
	return err
}

func (b *s3) open(key string) (File, os.FileInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	info, err := b.stat(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	// The read is not bound to the stat's deadline: a large file may take
	// longer; the client's transport bounds stalls.
	obj, err := b.client.GetObject(context.Background(), b.bucket, b.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("storage: open %s: %w", key, err)
	}
	return obj, objectInfo{name: key[strings.LastIndexByte(key, '/')+1:], info: info}, nil
}

func (b *s3) stat(ctx context.Context, key string) (minio.ObjectInfo, error) {
	info, err := b.client.StatObject(ctx, b.bucket, b.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		if r := minio.ToErrorResponse(err); r.StatusCode == http.StatusNotFound || r.Code == minio.NoSuchKey {
			return info, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return info, fmt.Errorf("storage: stat %s: %w", key, err)
	}
	return info, nil
}

func (b *s3) remove(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	// Deleting a missing object succeeds in S3, as Delete promises.
	if err := b.client.RemoveObject(ctx, b.bucket, b.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// link checks the object is there, then signs a GET for it that saves it
// as filename. Signing is local: no request leaves for it.
func (b *s3) link(ctx context.Context, key, filename string, within time.Duration) (string, error) {
	if _, err := b.stat(ctx, key); err != nil {
		return "", err
	}
	ttl := b.ttl
	if within > 0 && within < ttl {
		ttl = max(within, time.Second) // S3 signs whole seconds, at least one
	}
	q := url.Values{}
	q.Set("response-content-disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	q.Set("response-cache-control", "private, no-store")
	u, err := b.signer.PresignedGetObject(ctx, b.bucket, b.prefix+key, ttl, q)
	if err != nil {
		return "", fmt.Errorf("storage: sign link %s: %w", key, err)
	}
	return u.String(), nil
}

// objectInfo describes an object as a file.
type objectInfo struct {
	name string
	info minio.ObjectInfo
}

func (o objectInfo) Name() string       { return o.name }
func (o objectInfo) Size() int64        { return o.info.Size }
func (o objectInfo) Mode() fs.FileMode  { return 0o444 }
func (o objectInfo) ModTime() time.Time { return o.info.LastModified }
func (o objectInfo) IsDir() bool        { return false }
func (o objectInfo) Sys() any           { return nil }
