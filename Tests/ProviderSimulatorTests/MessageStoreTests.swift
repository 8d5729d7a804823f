import Foundation
import ProviderSimulator
import Testing

@Suite("Message store (pure)")
struct MessageStoreTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func sms(to: String = "+15550000001", key: String, requestId: String? = nil) -> IncomingMessage {
        IncomingMessage(kind: .sms, to: to, body: "Your code is 123456", idempotencyKey: key, requestId: requestId)
    }

    @Test func recordsInArrivalOrderAndFilters() {
        var store = MessageStore(capacity: 100)
        store.accept(self.sms(to: "+1", key: "a", requestId: "r1"), at: self.now)
        store.accept(IncomingMessage(kind: .email, to: "user-1", body: "hi", idempotencyKey: "b", requestId: "r1"), at: self.now)
        store.accept(self.sms(to: "+2", key: "c"), at: self.now)
        store.accept(self.sms(to: "+1", key: "d", requestId: "r2"), at: self.now)

        #expect(store.messages(matching: MessageFilter()).map(\.idempotencyKey) == ["a", "b", "c", "d"])
        #expect(store.messages(matching: MessageFilter(kind: .sms)).map(\.idempotencyKey) == ["a", "c", "d"])
        #expect(store.messages(matching: MessageFilter(kind: .sms, to: "+1")).map(\.idempotencyKey) == ["a", "d"])
        #expect(store.messages(matching: MessageFilter(requestId: "r1")).map(\.idempotencyKey) == ["a", "b"])
        #expect(store.messages(matching: MessageFilter(idempotencyKey: "c")).map(\.to) == ["+2"])
        #expect(store.messages(matching: MessageFilter(to: "+3")).isEmpty)
        #expect(store.messages(matching: MessageFilter()).map(\.seq) == [1, 2, 3, 4])
    }

    @Test func limitKeepsTheLatestMatches() {
        var store = MessageStore(capacity: 100)
        for key in ["a", "b", "c", "d"] { store.accept(self.sms(key: key), at: self.now) }
        #expect(store.messages(matching: MessageFilter(limit: 2)).map(\.idempotencyKey) == ["c", "d"])
        #expect(store.messages(matching: MessageFilter(limit: 10)).count == 4)
    }

    @Test func duplicatesAreCountedListedAndAnsweredWithTheFirstId() {
        var store = MessageStore(capacity: 100)
        let first = store.accept(self.sms(key: "job-1"), at: self.now)
        let second = store.accept(self.sms(key: "job-1"), at: self.now)
        let third = store.accept(self.sms(key: "job-1"), at: self.now)
        let other = store.accept(self.sms(key: "job-2"), at: self.now)
        // Same key, other kind: not a duplicate.
        let email = store.accept(IncomingMessage(kind: .email, to: "u", body: "b", idempotencyKey: "job-1"), at: self.now)

        #expect(first.duplicate == false)
        #expect(second == MessageStore.Receipt(id: first.id, duplicate: true))
        #expect(third == MessageStore.Receipt(id: first.id, duplicate: true))
        #expect(other.duplicate == false && other.id != first.id)
        #expect(email.duplicate == false)
        #expect(store.messages(matching: MessageFilter(idempotencyKey: "job-1")).map(\.duplicate) == [false, true, true, false])

        let stats = store.stats
        #expect(stats.duplicates == 2)
        #expect(stats.uniqueKeys == 3)
        #expect(stats.received.sms == 4 && stats.received.email == 1)
        #expect(stats.received.total == stats.uniqueKeys + stats.duplicates)
    }

    @Test func capDropsTheOldest() {
        var store = MessageStore(capacity: 3)
        for key in ["a", "b", "c", "d", "e"] { store.accept(self.sms(key: key), at: self.now) }
        #expect(store.messages(matching: MessageFilter()).map(\.idempotencyKey) == ["c", "d", "e"])
        #expect(store.messages(matching: MessageFilter(limit: 1)).map(\.idempotencyKey) == ["e"])
        let stats = store.stats
        #expect(stats.stored == 3)
        #expect(stats.dropped == 2)
        #expect(stats.received.sms == 5)
    }

    @Test func keysBeyondTheCapAreForgotten() {
        var store = MessageStore(capacity: 2)
        store.accept(self.sms(key: "a"), at: self.now)
        store.accept(self.sms(key: "b"), at: self.now)
        #expect(store.accept(self.sms(key: "b"), at: self.now).duplicate)
        store.accept(self.sms(key: "c"), at: self.now)  // "a" is forgotten
        #expect(store.accept(self.sms(key: "a"), at: self.now).duplicate == false)
        #expect(store.accept(self.sms(key: "c"), at: self.now).duplicate)
    }

    @Test func failuresAndInvalidBodiesAreCountedNotListed() {
        var store = MessageStore(capacity: 10)
        store.recordFailure(of: .webhook)
        store.recordFailure(of: .webhook)
        store.recordInvalid()
        #expect(store.messages(matching: MessageFilter()).isEmpty)
        #expect(store.stats.failed.webhook == 2)
        #expect(store.stats.invalid == 1)
        // A failed key is not remembered: the retry is not a duplicate.
        #expect(store.accept(IncomingMessage(kind: .webhook, idempotencyKey: "w"), at: self.now).duplicate == false)
    }

    @Test func clearForgetsMessagesKeysAndCounters() {
        var store = MessageStore(capacity: 10)
        store.accept(self.sms(key: "a"), at: self.now)
        store.accept(self.sms(key: "a"), at: self.now)
        #expect(store.clear() == 2)
        #expect(store.stats == ProviderStats())
        let again = store.accept(self.sms(key: "a"), at: self.now)
        #expect(again.duplicate == false)
        #expect(store.messages(matching: MessageFilter()).map(\.seq) == [3])
    }
}
