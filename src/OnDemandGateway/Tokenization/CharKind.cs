namespace OnDemandGateway.Tokenization;

/// <summary>What the pre-tokenisation patterns can tell apart about one code point.</summary>
internal enum CharKind : byte
{
    /// <summary>Anything else: punctuation, symbols, controls that are not white space, unassigned, U+FFFD.</summary>
    Other,

    /// <summary>Lu, Lt: in o200k's "upper" class only.</summary>
    Upper,

    /// <summary>Ll: in o200k's "lower" class only.</summary>
    Lower,

    /// <summary>Lm, Lo: letters in both of o200k's classes.</summary>
    BothCase,

    /// <summary>Mn, Mc, Me: not \p{L}, but in both of o200k's letter classes.</summary>
    Mark,

    /// <summary>Nd, Nl, No.</summary>
    Number,

    /// <summary>\r or \n.</summary>
    NewLine,

    /// <summary>Any other \s character.</summary>
    Space,
}
