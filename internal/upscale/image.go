package upscale

import (
	"bufio"
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// imageFormat is one input format Local accepts. The list is explicit,
// rather than whatever image.RegisterFormat has collected in the binary,
// so that the accepted formats do not change with unrelated imports.
type imageFormat struct {
	name   string
	magic  func([]byte) bool
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var inputFormats = []imageFormat{
	{"PNG", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }, png.DecodeConfig, png.Decode},
	{"JPEG", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) }, jpeg.DecodeConfig, jpeg.Decode},
	{"WebP", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }, webp.DecodeConfig, webp.Decode},
}

func sniff(b []byte) (imageFormat, bool) {
	for _, f := range inputFormats {
		if f.magic(b) {
			return f, true
		}
	}
	return imageFormat{}, false
}

// outputSize is the size of src upscaled by factor, or a Permanent error
// when that exceeds maxPixels. It works from the header alone, so an
// oversized or hostile image is refused before it is decoded.
func outputSize(cfg image.Config, factor int, maxPixels int64) (w, h int, err error) {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, permanent("The image has no pixels (%d×%d).", cfg.Width, cfg.Height)
	}
	w64, h64 := int64(cfg.Width)*int64(factor), int64(cfg.Height)*int64(factor)
	// Each side is checked first so the product below cannot overflow.
	if w64 > maxPixels || h64 > maxPixels || w64*h64 > maxPixels {
		return 0, 0, permanent("Upscaling a %d×%d image %d× would make %d×%d, more than the %d-pixel limit.",
			cfg.Width, cfg.Height, factor, w64, h64, maxPixels)
	}
	return int(w64), int(h64), nil
}

// upscaleImage decodes data, resamples it to w×h with Catmull-Rom (sharp
// without the ringing of Lanczos) and writes it as PNG to path, via a
// temporary file so a reader never sees half an image.
func upscaleImage(data []byte, f imageFormat, w, h int, path string) error {
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return permanent("The %s image could not be decoded: %v.", f.name, err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)

	tmp, err := os.CreateTemp(filepath.Dir(path), ".upscale-*.png")
	if err != nil {
		return transient("Could not create the output file: %v.", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	bw := bufio.NewWriterSize(tmp, 1<<20)
	// BestSpeed: on a 12 MP photo-like result it took 1.3 s for 13 MB,
	// against 9.1 s for 10 MB at the default level (2026-12-01, 2-core
	// AMD EPYC VM).
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(bw, dst); err != nil {
		_ = tmp.Close() // removed unused; the encoding error is the one to report
		return transient("Could not encode the output PNG: %v.", err)
	}
	if err := bw.Flush(); err != nil {
		_ = tmp.Close() // removed unused; the write error is the one to report
		return transient("Could not write the output file: %v.", err)
	}
	if err := tmp.Close(); err != nil {
		return transient("Could not write the output file: %v.", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return transient("Could not store the output file: %v.", err)
	}
	return nil
}
