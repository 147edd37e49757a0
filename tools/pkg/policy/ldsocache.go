package policy

import (
	"bytes"
	"encoding/binary"
)

const (
	cacheMagic      = "glibc-ld.so.cache1.1"
	cacheHeaderSize = 48
	cacheEntrySize  = 24
)

// parseLdCache reads the entries of an /etc/ld.so.cache in glibc's new
// format (the one ldconfig writes since glibc 2.32 and tools/pkg/ldcache
// writes) whose flags are flags: soname → path, the first entry winning.
// It returns nil for another format or a truncated file: the loader then
// falls back to the default directories, and so do the checks.
func parseLdCache(data []byte, flags int32) map[string]string {
	if !bytes.HasPrefix(data, []byte(cacheMagic)) || len(data) < cacheHeaderSize {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(data[20:]))
	if n < 0 || cacheHeaderSize+n*cacheEntrySize > len(data) {
		return nil
	}
	str := func(off uint32) (string, bool) {
		if int(off) >= len(data) {
			return "", false
		}
		end := bytes.IndexByte(data[off:], 0)
		if end < 0 {
			return "", false
		}
		return string(data[off : int(off)+end]), true
	}
	m := map[string]string{}
	for i := 0; i < n; i++ {
		e := data[cacheHeaderSize+i*cacheEntrySize:]
		if int32(binary.LittleEndian.Uint32(e)) != flags {
			continue
		}
		key, ok1 := str(binary.LittleEndian.Uint32(e[4:]))
		value, ok2 := str(binary.LittleEndian.Uint32(e[8:]))
		if !ok1 || !ok2 {
			return nil
		}
		if _, seen := m[key]; !seen {
			m[key] = value
		}
	}
	return m
}
