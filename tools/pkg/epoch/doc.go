// Package epoch reads SOURCE_DATE_EPOCH strictly: the one timestamp every output of distill carries.
package epoch
