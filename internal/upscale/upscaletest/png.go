package upscaletest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// solidPNG is a valid grey PNG of w×h. Results are written by hand, row by
// row, because only their dimensions matter and an image.Image of 50 MP
// would cost 200 MB; they are cached because a solid image compresses to
// a few kilobytes while costing real time to compress.
func (s *Server) solidPNG(w, h int) []byte {
	key := [2]int{w, h}
	s.mu.Lock()
	data, ok := s.pngs[key]
	s.mu.Unlock()
	if ok {
		return data
	}
	data = encodeSolidPNG(w, h)
	s.mu.Lock()
	s.pngs[key] = data
	s.mu.Unlock()
	return data
}

func encodeSolidPNG(w, h int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth; colour type 0 (grey), default methods, no interlace
	writeChunk(&out, "IHDR", ihdr)

	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := bytes.Repeat([]byte{0x80}, w+1)
	row[0] = 0 // filter type: none
	for range h {
		zw.Write(row)
	}
	zw.Close()
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes()
}

func writeChunk(w io.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	io.WriteString(crc, typ)
	crc.Write(data)
	io.WriteString(w, typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
