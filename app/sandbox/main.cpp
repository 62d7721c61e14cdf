// benchtop-sandbox: the supervisor of one project's sandbox (see server/sandbox/supervisor/).
int main() {
  return 2;
}
