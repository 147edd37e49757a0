// Package descriptor holds the JSON files that pass between distill actions: layer descriptors (DESC.json) and image descriptors (IMAGE.json).
package descriptor
