/// The attribute names every Spool span uses for the same things, so a trace backend can search one name.
public enum SpoolSpanAttribute {
    public static let job = "spool.job.id"
    public static let tenant = "spool.tenant"
    public static let attempt = "spool.attempt"
    public static let pool = "spool.pool"
    public static let worker = "spool.worker.id"
}
