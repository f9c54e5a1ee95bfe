/* The victim in the middle: a ledger whose transfers keep the total fixed, each under its lock, with an
 * audit hook (the thief's) between taking from one account and giving to the other. */
#include <pthread.h>
#include <stdio.h>

int thief_audit(int amount);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int from = 100, to = 0;

int vault_transfer(int amount)
{
    pthread_mutex_lock(&lock);
    from -= amount;
    thief_audit(amount);
    to += amount;
    pthread_mutex_unlock(&lock);
    return 0;
}

/* The ledger's total, negated while the lock is held (a transfer never finished). */
int vault_total(void)
{
    int held = pthread_mutex_trylock(&lock) != 0;
    int t = from + to;
    if (!held)
        pthread_mutex_unlock(&lock);
    return held ? -t : t;
}
