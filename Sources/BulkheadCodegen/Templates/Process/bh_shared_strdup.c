/* strdup and strndup of the libraries on the shared heap */
char *bh_shared_strdup(const char *bh_s);
char *bh_shared_strdup(const char *bh_s)
{
	__SIZE_TYPE__ bh_n = __builtin_strlen(bh_s) + 1;
	char *bh_p = bh_shared_malloc(bh_n);
	return bh_p ? __builtin_memcpy(bh_p, bh_s, bh_n) : bh_p;
}
char *bh_shared_strndup(const char *bh_s, __SIZE_TYPE__ bh_max);
char *bh_shared_strndup(const char *bh_s, __SIZE_TYPE__ bh_max)
{
	__SIZE_TYPE__ bh_n = 0;
	while (bh_n < bh_max && bh_s[bh_n]) bh_n++;
	char *bh_p = bh_shared_malloc(bh_n + 1);
	if (bh_p) { __builtin_memcpy(bh_p, bh_s, bh_n); bh_p[bh_n] = 0; }
	return bh_p;
}
