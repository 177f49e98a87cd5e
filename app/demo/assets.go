package demo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// invoicePDF returns a valid one-page PDF 1.4 document showing lines of text,
// the first one as a title. It is written by hand: objects, then a
// cross-reference table with their byte offsets.
func invoicePDF(lines []string) []byte {
	var content strings.Builder
	content.WriteString("BT\n/F1 20 Tf\n72 770 Td\n")
	for i, line := range lines {
		if i == 1 {
			content.WriteString("/F1 11 Tf\n0 -14 Td\n")
		}
		fmt.Fprintf(&content, "0 -18 Td\n(%s) Tj\n", pdfEscape(line))
	}
	content.WriteString("ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off) // entries are exactly 20 bytes
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

// picturePNG draws a small landscape: a sky gradient from top to horizon
// colours, a sun and rolling hills. hue shifts the palette so that pictures
// differ.
func picturePNG(width, height int, hue float64) []byte {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	sunX, sunY, sunR := float64(width)*0.7, float64(height)*0.3, float64(height)*0.12
	for y := range height {
		fy := float64(y) / float64(height)
		for x := range width {
			fx := float64(x) / float64(width)
			hill := 0.65 + 0.08*math.Sin(fx*7+hue) + 0.05*math.Sin(fx*17+2*hue)
			var c color.RGBA
			switch {
			case fy > hill:
				c = shade(40, 110+uint8(60*(1-fy)), 50, hue)
			case math.Hypot(float64(x)-sunX, float64(y)-sunY) < sunR:
				c = color.RGBA{255, 220, 90, 255}
			default:
				c = shade(90+uint8(120*fy), 150+uint8(60*fy), 230, hue)
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // cannot fail when writing to memory
	}
	return b.Bytes()
}

// shade rotates a colour's channels a little, by hue.
func shade(r, g, b uint8, hue float64) color.RGBA {
	k := 0.5 + 0.5*math.Cos(hue)
	return color.RGBA{uint8(float64(r)*k + float64(b)*(1-k)), g, uint8(float64(b)*k + float64(r)*(1-k)), 255}
}

// backupZip returns a real ZIP archive of about size bytes: a README and a
// stored (uncompressed) file of pseudo-random bytes from a fixed seed.
func backupZip(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 4096)
	zw := zip.NewWriter(&b)
	modified := time.Date(2025, time.January, 5, 3, 0, 0, 0, time.UTC)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "backup/README.txt", Method: zip.Deflate, Modified: modified})
	if err == nil {
		_, err = io.WriteString(w, "Weekly backup of the team mail archive.\nRestore with: unzip backup-archive.zip\n")
	}
	if err == nil {
		w, err = zw.CreateHeader(&zip.FileHeader{Name: "backup/mail.db", Method: zip.Store, Modified: modified})
	}
	if err == nil {
		_, err = io.CopyN(w, rand.NewChaCha8([32]byte{'d', 'e', 'm', 'o'}), int64(size))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		panic(err) // cannot fail when writing to memory
	}
	return b.Bytes()
}
