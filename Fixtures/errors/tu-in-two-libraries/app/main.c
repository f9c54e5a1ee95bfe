int shared_answer(void);

int main(void)
{
    return shared_answer() == 42 ? 0 : 1;
}
