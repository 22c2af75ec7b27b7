// Package examples holds runnable demo applications of oauth20.
package examples
