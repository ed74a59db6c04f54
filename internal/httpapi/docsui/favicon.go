package docsui

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
)

// faviconICO draws the service's icon, a white check mark on blue, as a
// 32×32 PNG inside an ICO container: /favicon.ico is ours, drawn here
// rather than kept as a binary file, and the ReDoc page shows it in place
// of the logo ReDoc would fetch from its CDN.
func faviconICO() []byte {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x25, 0x63, 0xEB, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	for y := range size {
		for x := range size {
			img.SetNRGBA(x, y, blue)
		}
	}
	// The check: two strokes, 3 pixels thick.
	stroke := func(x0, y0, x1, y1 int) {
		steps := max(abs(x1-x0), abs(y1-y0))
		for i := 0; i <= steps; i++ {
			x := x0 + (x1-x0)*i/steps
			y := y0 + (y1-y0)*i/steps
			for dx := -1; dx <= 1; dx++ {
				for dy := -1; dy <= 1; dy++ {
					img.SetNRGBA(x+dx, y+dy, white)
				}
			}
		}
	}
	stroke(8, 16, 13, 22)
	stroke(13, 22, 24, 9)
	var pngData bytes.Buffer
	_ = png.Encode(&pngData, img) // cannot fail on an in-memory image
	var ico bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image; then its ICONDIRENTRY:
	// width, height, palette size, reserved, planes, bits per pixel, size
	// and offset of the PNG that follows.
	_ = binary.Write(&ico, binary.LittleEndian, [3]uint16{0, 1, 1})
	ico.Write([]byte{size, size, 0, 0})
	_ = binary.Write(&ico, binary.LittleEndian, [2]uint16{1, 32})
	_ = binary.Write(&ico, binary.LittleEndian, [2]uint32{uint32(pngData.Len()), 6 + 16})
	ico.Write(pngData.Bytes())
	return ico.Bytes()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
