extension String {
    /// The string of these Unicode scalars (the proxy grammars split text among scalars, not characters).
    public init(scalars: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self.init(view)
    }
}
