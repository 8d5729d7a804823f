/// The validated body of `POST /api/requests`.
enum NewRequestFields {
    static func validate(_ body: JSONBody) throws -> RequestService.NewRequest {
        var problems: [(String, String)] = []
        let fiatText = body.string("fiatCurrency", problems: &problems)
        let amountText = body.string("fiatAmount", problems: &problems)
        let cryptoText = body.string("cryptoCurrency", problems: &problems)
        let fiat = fiatText.flatMap(FiatCurrency.init(rawValue:))
        if fiatText != nil, fiat == nil { problems.append(("fiatCurrency", "must be one of USD, EUR, GBP")) }
        let crypto = cryptoText.flatMap(CryptoCurrency.init(rawValue:))
        if cryptoText != nil, crypto == nil { problems.append(("cryptoCurrency", "must be one of BTC, ETH, USDT, USDC")) }
        var amount: String?
        if let amountText {
            switch FiatAmount.normalise(amountText) {
            case .success(let normalised): amount = normalised
            case .failure(let problem): problems.append(("fiatAmount", problem.reason))
            }
        }
        guard problems.isEmpty, let fiat, let amount, let crypto else { throw APIError.validation(problems) }
        return RequestService.NewRequest(fiat: fiat, amount: amount, crypto: crypto)
    }
}
