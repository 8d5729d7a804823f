import Foundation

/// Writes a line to stdout unbuffered, so it interleaves correctly with the progress line.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
