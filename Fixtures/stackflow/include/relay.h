/* A static inline function that every unit including this header gets a copy of: in main's units its call
 * of sink_count is a gate, so the address it is given must be shared; in the sink's it is a plain call. */
void sink_count(long *counter, int by);

static inline void relay_count(long *counter, int by)
{
    sink_count(counter, by);
}
