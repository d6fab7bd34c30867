import factory

from branches.models import Branch


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}支行")
    city = "上海市"
    address = factory.Sequence(lambda n: f"上海市浦东新区世纪大道{n}号")
