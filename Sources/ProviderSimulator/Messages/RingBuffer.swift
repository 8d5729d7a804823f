/// A FIFO of at most `capacity` elements: appending to a full buffer drops the oldest.
/// Storage grows as elements arrive, so a large capacity costs nothing until used.
struct RingBuffer<Element> {
    let capacity: Int
    private var storage: [Element] = []
    /// Index in `storage` of the oldest element (non-zero only once full).
    private var head = 0

    init(capacity: Int) {
        precondition(capacity > 0, "RingBuffer capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { self.storage.count }
    var isEmpty: Bool { self.storage.isEmpty }

    /// Appends `element`; returns the element dropped to make room, if any.
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        guard self.storage.count == self.capacity else {
            self.storage.append(element)
            return nil
        }
        let dropped = self.storage[self.head]
        self.storage[self.head] = element
        self.head = (self.head + 1) % self.capacity
        return dropped
    }

    /// The element at `position`, 0 being the oldest.
    subscript(position: Int) -> Element {
        self.storage[(self.head + position) % self.storage.count]
    }

    mutating func removeAll() {
        self.storage = []
        self.head = 0
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
