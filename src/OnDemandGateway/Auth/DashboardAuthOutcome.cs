namespace OnDemandGateway.Auth;

/// <summary>Why a dashboard-aware request was or was not let in; decides 401 versus 403.</summary>
internal enum DashboardAuthOutcome
{
    Authenticated,
    /// <summary>No valid token header and no valid session cookie: 401.</summary>
    Unauthenticated,
    /// <summary>A valid session cookie on an unsafe method without the matching CSRF token: 403.</summary>
    CsrfRejected,
}
