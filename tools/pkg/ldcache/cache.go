package ldcache

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// Entry flags (glibc's ldconfig.h): the library type and its ABI.
const (
	FlagELFLibc6     = 0x0003
	FlagX8664Lib64   = 0x0300
	FlagAArch64Lib64 = 0x0a00
)

const (
	magic         = "glibc-ld.so.cache1.1"
	headerSize    = 48
	entrySize     = 24
	endianLittle  = 2          // cache_file_new_flags_endian_little
	extMagic      = 0xeaa42174 // cache_extension_magic, (uint32_t) -358342284
	extTagGen     = 0          // cache_extension_tag_generator
	extHeaderSize = 8          // magic, count
	extSectSize   = 16         // tag, flags, offset, size
	extSectMax    = 2          // generator and glibc-hwcaps: ldconfig reserves room for both
)

// Entry is one library of the cache.
type Entry struct {
	// Key is the name the loader looks up: the soname.
	Key string
	// Value is the absolute path of the library.
	Value string
	// Flags are the library's type and ABI, e.g. FlagELFLibc6|FlagX8664Lib64.
	Flags int32
}

// Sort puts entries in the order of ldconfig's list: keys descending by
// Libcmp, then higher flags first; equal ones keep their order.
func Sort(entries []Entry) {
	slices.SortStableFunc(entries, func(a, b Entry) int {
		if c := Libcmp(b.Key, a.Key); c != 0 {
			return c
		}
		switch {
		case a.Flags < b.Flags:
			return 1
		case a.Flags > b.Flags:
			return -1
		}
		return 0
	})
}

// Libcmp compares library names as glibc's _dl_cache_libcmp does: byte by
// byte (as signed chars), except that runs of decimal digits compare as
// numbers (32-bit, wrapping like C's int), and a digit sorts after any
// other byte. Only its sign is meaningful.
func Libcmp(a, b string) int {
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	i, j := 0, 0
	for at(a, i) != 0 {
		c1, c2 := at(a, i), at(b, j)
		switch {
		case digit(c1):
			if !digit(c2) {
				return 1
			}
			var v1, v2 int32
			for ; digit(at(a, i)); i++ {
				v1 = v1*10 + int32(at(a, i)-'0')
			}
			for ; digit(at(b, j)); j++ {
				v2 = v2*10 + int32(at(b, j)-'0')
			}
			if v1 != v2 {
				return sign(v1 - v2)
			}
		case digit(c2):
			return -1
		case c1 != c2:
			return int(int8(c1)) - int(int8(c2))
		default:
			i++
			j++
		}
	}
	return -int(int8(at(b, j)))
}

func sign(v int32) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// stringTable lays out strings as glibc's stringtable_finalize does and
// returns the table and each string's offset in it.
func stringTable(strs []string) ([]byte, map[string]uint32) {
	uniq := map[string]bool{}
	var list []string
	for _, s := range strs {
		if !uniq[s] {
			uniq[s] = true
			list = append(list, s)
		}
	}
	// Reversed strings in reverse lexicographic order; of a string and
	// its suffix, the longer first, so the suffix can share its tail.
	slices.SortFunc(list, func(l, r string) int {
		n := min(len(l), len(r))
		for i := 1; i <= n; i++ {
			lc, rc := l[len(l)-i], r[len(r)-i]
			if lc != rc {
				return int(rc) - int(lc)
			}
		}
		return len(r) - len(l)
	})
	offsets := make(map[string]uint32, len(list))
	var table []byte
	for k, s := range list {
		if k > 0 {
			prev := list[k-1]
			if len(prev) >= len(s) && prev[len(prev)-len(s):] == s {
				offsets[s] = offsets[prev] + uint32(len(prev)-len(s))
				continue
			}
		}
		offsets[s] = uint32(len(table))
		table = append(table, s...)
		table = append(table, 0)
	}
	return table, offsets
}

// Marshal returns the cache file holding entries, in their order (call
// Sort first), with generator as the generator string of the extension
// directory (ldconfig puts its version there).
func Marshal(entries []Entry, generator string) ([]byte, error) {
	strs := make([]string, 0, 2*len(entries))
	for _, e := range entries {
		if e.Key == "" || e.Value == "" || bytes.IndexByte([]byte(e.Key+e.Value), 0) >= 0 {
			return nil, fmt.Errorf("cache entry %q → %q: empty or holds a NUL byte", e.Key, e.Value)
		}
		strs = append(strs, e.Value, e.Key)
	}
	table, offsets := stringTable(strs)
	strOffset := headerSize + entrySize*len(entries)
	extOffset := (strOffset + len(table) + 3) &^ 3
	genOffset := extOffset + extHeaderSize + extSectMax*extSectSize - extSectSize
	size := genOffset + len(generator)
	if uint64(size) > 1<<32-1 {
		return nil, fmt.Errorf("cache of %d bytes is too large", size)
	}

	out := make([]byte, size)
	le := binary.LittleEndian
	copy(out, magic)
	le.PutUint32(out[20:], uint32(len(entries)))
	le.PutUint32(out[24:], uint32(len(table)))
	out[28] = endianLittle
	le.PutUint32(out[32:], uint32(extOffset))
	for i, e := range entries {
		b := out[headerSize+entrySize*i:]
		le.PutUint32(b[0:], uint32(e.Flags))
		le.PutUint32(b[4:], uint32(strOffset)+offsets[e.Key])
		le.PutUint32(b[8:], uint32(strOffset)+offsets[e.Value])
		// osversion (b[12:16]) and hwcap (b[16:24]) stay 0.
	}
	copy(out[strOffset:], table)
	x := out[extOffset:]
	le.PutUint32(x[0:], extMagic)
	le.PutUint32(x[4:], 1)
	le.PutUint32(x[8:], extTagGen)
	le.PutUint32(x[12:], 0)
	le.PutUint32(x[16:], uint32(genOffset))
	le.PutUint32(x[20:], uint32(len(generator)))
	copy(out[genOffset:], generator)
	return out, nil
}
